//! Shared helpers of the contract and end-to-end suites live in the test files themselves.
