/**
 * The MNS client's credentials from Alibaba's default chain (env, credentials file, ECS RAM role, OIDC), as the ICE
 * client takes them (src/ice/transport.ts); read for every request, so that an STS token is renewed when it expires.
 */
import Credential, { Config as CredentialConfig } from '@alicloud/credentials';
import type { IceCredentials } from '../config';
import type { MnsCredentials } from './client';

export function mnsCredentialChain(explicit?: IceCredentials): () => Promise<MnsCredentials> {
  const credential =
    explicit === undefined
      ? new Credential()
      : new Credential(
          new CredentialConfig({
            type: explicit.securityToken ? 'sts' : 'access_key',
            accessKeyId: explicit.accessKeyId,
            accessKeySecret: explicit.accessKeySecret,
            securityToken: explicit.securityToken,
          }),
        );
  return async () => {
    const { accessKeyId, accessKeySecret, securityToken } = await credential.getCredential();
    if (!accessKeyId || !accessKeySecret) throw new Error('no Alibaba Cloud credentials from the default chain');
    return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
  };
}
