/** The OCapN data model: passables ↔ Syrup. @module */
export * from './passable.js';
export * from './codec.js';
