'use strict';
/** @farmgate/agent: makes a Node.js WebSocket server part of a farmgate farm. */
const { startAgent, SERVICE_RESTART } = require('./agent');
const { verifyToken, signToken } = require('./token');
const { clusterPrimary, clusterWorker } = require('./cluster');

module.exports = { startAgent, verifyToken, signToken, clusterPrimary, clusterWorker, SERVICE_RESTART };
