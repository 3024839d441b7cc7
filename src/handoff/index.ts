/** Third-party handoffs (notes §9). @module */
export * from './certificates.js';
export * from './checks.js';
export * from './manager.js';
export * from './dial-policy.js';
