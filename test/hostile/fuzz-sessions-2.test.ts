/**
 * Session fuzzer, share 2 of 2 (see fuzz-driver.ts for what runs, fuzz-run.ts for the
 * environment variables OCAPN_FUZZ_CASES and OCAPN_FUZZ_SEED).
 */
import { fuzzShare } from './fuzz-run.js';

fuzzShare(1);
