// Shared imports for the demo scripts.
export { OcapnNode, E, createWebSocketDialer } from 'ocapn-ts';
import { toNotation } from 'ocapn-ts/syrup';
export const toNotationForDemo = (v) => toNotation(v);
