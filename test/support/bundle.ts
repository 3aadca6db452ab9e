/** The package's workflows' source entry, and the one bundle cache (src/local-stack/workflow-bundle.ts) by its old name. */
import path from 'node:path';

export { workflowBundle as getWorkflowBundle } from '../../src/testing';

export const WORKFLOWS_ENTRY = path.resolve(__dirname, '../../src/workflows/index.ts');
