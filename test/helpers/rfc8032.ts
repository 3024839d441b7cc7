/**
 * RFC 8032 §7.1 Ed25519 test keys 1 and 2, and the OCapN vectors computed from them
 * (notes §14 session vectors, §9.5 handoff vectors). Shared by test/crypto and test/handoff.
 */
import { hexToBytes } from '@noble/hashes/utils.js';

/** RFC 8032 test key 1: seed (private key). */
export const SK1 = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
/** RFC 8032 test key 1: public key. */
export const PK1 = hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
/** RFC 8032 test key 2: seed (private key). */
export const SK2 = hexToBytes('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
/** RFC 8032 test key 2: public key. */
export const PK2 = hexToBytes('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');

/** §14: the public ID (hex) of key 1. */
export const PUBLIC_ID_1_HEX = '1759110845e57d2058d531c139077e9cac59b03f118a42f7e83dd2259ec3038c';
/** §14: the public ID (hex) of key 2. */
export const PUBLIC_ID_2_HEX = '12ce5287a57bb3ab1aded4cff62fc2cbb0a329181d0e21c720b318a63674c07e';
/** §14: the session ID (hex) of a session between keys 1 and 2. */
export const SESSION_ID_HEX = '57a5b2c5ee611789dc4abbeefbf52443055a397d98aa7cc43bb2e5c7f4c492c7';

/** §9.5: the gift ID of the vector give (bytes 0…31). */
export const GIFT_ID = Uint8Array.from({ length: 32 }, (_, i) => i);
/** §9.5: SHA-256 (hex) of the 297-byte vector give. */
export const GIVE_SHA = '6175c9e541e8c470e3d84c506ab95db5fb27c0dcea651865344c9faa23b09302';
/** §9.5: key 1's signature (hex) over the vector give. */
export const GIVE_SIG =
  '995b9fcb4e3a0f8140a8dc18b6652ca6a328b046877e7ea54c1b694bab2bbdb0d14e5507a0f09f8219b16aac61784c1bb5b0fdafd9fcff503c38d42296fa8f00';
/** §9.5: SHA-256 (hex) of the 516-byte vector receive. */
export const RECEIVE_SHA = 'c09a37aa6522c9b9430e5f90904326eb49c9530621f798ec6bc6925605133fbf';
/** §9.5: key 2's signature (hex) over the vector receive. */
export const RECEIVE_SIG =
  '351e1b893c906dd7c5cc9ef7ae4499ff10b3ce89c56c03aa2879dfe558607d70c2e975a0331452a2e7715e0196bfefbf350ff105926a49acaddb58b36ef49f05';
