/* Times the runtime's readers (best of 3): data-load FILE...; the format by
 * the file name (.npy, .csv, anything else IDX, .gz too). Built and run by
 * benchmarks/data-load.py. */
#include "nnrt.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
  nnrt_status *st = nnrt_status_new();
  for (int i = 1; i < argc; ++i) {
    double best = 1e9;
    for (int r = 0; r < 3; ++r) {
      double t0 = now();
      nnrt_tensor *t = strstr(argv[i], ".npy") ? nnrt_read_npy(argv[i], st)
                     : strstr(argv[i], ".csv") ? nnrt_read_csv(argv[i], -1, st)
                     : nnrt_read_idx(argv[i], st);
      double dt = now() - t0;
      if (!t) { printf("%s: %s\n", argv[i], nnrt_status_message(st)); return 1; }
      nnrt_tensor_free(t);
      if (dt < best) best = dt;
    }
    printf("%-60s %8.1f ms\n", argv[i], best * 1e3);
  }
  return 0;
}
