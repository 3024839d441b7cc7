/**
 * Session fuzzer, share 1 of 2 (see fuzz-driver.ts for what runs, fuzz-run.ts for the
 * environment variables OCAPN_FUZZ_CASES and OCAPN_FUZZ_SEED).
 */
import { fuzzShare } from './fuzz-run.js';

fuzzShare(0);
