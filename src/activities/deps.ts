import type { IceClient } from '../ice/types';

export interface IceActivityDeps {
  ice: IceClient;
}
