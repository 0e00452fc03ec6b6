// ESM entry point: the same implementation as the CommonJS one.
import agent from './src/index.js';

export const { startAgent, verifyToken, signToken, clusterPrimary, clusterWorker, SERVICE_RESTART } = agent;
export default agent;
