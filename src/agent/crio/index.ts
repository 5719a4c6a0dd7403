// The agent on CRI-O nodes (docs/agent.md, "CRI-O nodes").
export { startCrioAgent } from './startCrio.js';
