// RUN: nnc-opt %s -nnc-export-artifact -split-input-file -verify-diagnostics

// The export step trusts nothing it cannot describe: a function that still
// returns a value, or an argument without a role, is a compiler bug
// reported as such, never a wrapper that passes the wrong buffers.

// expected-error @+1 {{internal: 'n' still returns values after bufferization}}
func.func private @n(%x: memref<?x2xf32> {nn.input = "x"}) -> memref<?x2xf32>
    attributes {nn.model} {
  return %x : memref<?x2xf32>
}

// -----

// expected-error @+1 {{internal: argument #0 of 'u' is not a tagged dense memref}}
func.func private @u(%x: memref<?x2xf32>) attributes {nn.model} {
  return
}
