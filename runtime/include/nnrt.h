/*===- nnrt.h - the nnc runtime: load, initialise and run compiled models -===*
 *
 * One public header, a C API. Conventions:
 *  - Every object is an opaque handle created by a *_new/_open/_read call and
 *    released by the matching *_free (NULL is accepted and ignored).
 *  - Every call that can fail takes an `nnrt_status *` as its last argument,
 *    returns 0 / a handle on success and -1 / NULL on failure, and then
 *    leaves a message for the user in the status (file names, line numbers,
 *    both shapes of a mismatch). Passing a NULL status is allowed.
 *  - No global state, no errno: two models in one process are independent.
 *  - Tensors are dense, row-major float32.
 *
 *===----------------------------------------------------------------------===*/

#ifndef NNRT_H
#define NNRT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*--- The artifact ABI (what nnc emits; see docs/artifacts.md) -------------*/

#define NNRT_ABI_VERSION 1

/* buffers[]: one data pointer per input, parameter and output, in manifest
 * order; every -1 dimension of the manifest is `batch`. */
typedef void (*nnrt_entry_fn)(int64_t batch, void **buffers);

struct nnc_artifact {
  uint32_t abi_version;            /* NNRT_ABI_VERSION */
  const char *manifest;            /* JSON, NUL-terminated */
  uint32_t num_entries;
  const char *const *entry_names;  /* "<model>.<kind>", e.g. "iris.infer" */
  const nnrt_entry_fn *entries;
};

/*--- Status -----------------------------------------------------------------*/

typedef struct nnrt_status nnrt_status;
nnrt_status *nnrt_status_new(void);
void nnrt_status_free(nnrt_status *status);
int nnrt_status_ok(const nnrt_status *status);
/* The message of the last failure ("" when ok); valid until the next call
 * that uses this status. */
const char *nnrt_status_message(const nnrt_status *status);
void nnrt_status_clear(nnrt_status *status);

/*--- Tensors ----------------------------------------------------------------*/

typedef struct nnrt_tensor nnrt_tensor;
/* A zero-filled tensor. */
nnrt_tensor *nnrt_tensor_new(size_t rank, const int64_t *shape,
                             nnrt_status *status);
void nnrt_tensor_free(nnrt_tensor *tensor);
size_t nnrt_tensor_rank(const nnrt_tensor *tensor);
int64_t nnrt_tensor_dim(const nnrt_tensor *tensor, size_t i);
int64_t nnrt_tensor_size(const nnrt_tensor *tensor); /* number of elements */
float *nnrt_tensor_data(nnrt_tensor *tensor);
const float *nnrt_tensor_cdata(const nnrt_tensor *tensor);

/*--- Data files -------------------------------------------------------------*/

/* A 2-D tensor from a CSV file of numbers. A first line that is not all
 * numbers is a header and skipped. Every row must have the same number of
 * columns (`expected_columns`, or the first row's when it is -1); errors name
 * the file and line. */
nnrt_tensor *nnrt_read_csv(const char *path, int64_t expected_columns,
                           nnrt_status *status);
int nnrt_write_csv(const nnrt_tensor *tensor, const char *path,
                   nnrt_status *status);
/* A NumPy .npy file (versions 1-3, little-endian f4 or f8, C order). */
nnrt_tensor *nnrt_read_npy(const char *path, nnrt_status *status);
int nnrt_write_npy(const nnrt_tensor *tensor, const char *path,
                   nnrt_status *status);

/*--- Models -----------------------------------------------------------------*/

typedef struct nnrt_model nnrt_model;
/* A model linked into this program (nnc -c, or the generated executable). */
nnrt_model *nnrt_model_open_linked(const struct nnc_artifact *artifact,
                                   nnrt_status *status);
/* A model built with `nnc --shared`. */
nnrt_model *nnrt_model_open_shared(const char *path, nnrt_status *status);
void nnrt_model_free(nnrt_model *model);

const char *nnrt_model_name(const nnrt_model *model);
/* The artifact's manifest (JSON). */
const char *nnrt_model_manifest(const nnrt_model *model);
size_t nnrt_model_num_inputs(const nnrt_model *model);
/* Features per sample of input i (the product of its non-batch dims). */
int64_t nnrt_model_input_features(const nnrt_model *model, size_t i);
size_t nnrt_model_num_params(const nnrt_model *model);
const char *nnrt_model_param_name(const nnrt_model *model, size_t i);
/* The parameter's tensor, owned by the model. */
nnrt_tensor *nnrt_model_param(nnrt_model *model, size_t i);
int64_t nnrt_model_total_params(const nnrt_model *model);

/* Every parameter from its initializer (glorot_uniform, zeros, he_normal, ...
 * as Keras defines them), reproducibly from `seed`. */
int nnrt_model_init_params(nnrt_model *model, uint64_t seed,
                           nnrt_status *status);
/* Parameters from / to a safetensors file (F32 tensors named as in the
 * manifest, e.g. "dense.kernel"). Loading checks every name and shape. */
int nnrt_model_load_weights(nnrt_model *model, const char *path,
                            nnrt_status *status);
int nnrt_model_save_weights(const nnrt_model *model, const char *path,
                            nnrt_status *status);

size_t nnrt_model_num_outputs(const nnrt_model *model);
/* "output_0", ... as the manifest names them; NULL when out of range. */
const char *nnrt_model_output_name(const nnrt_model *model, size_t i);

/* Runs inference on a batch of any size: inputs[i] has shape
 * (batch, features...). On success stores one new tensor per output in
 * outputs[0 .. num_outputs) (the caller frees them) and returns 0. */
int nnrt_model_run(nnrt_model *model, const nnrt_tensor *const *inputs,
                   size_t num_inputs, nnrt_tensor **outputs,
                   size_t num_outputs, nnrt_status *status);

/* nnrt_model_run for the first output only (the others are discarded);
 * NULL on failure. */
nnrt_tensor *nnrt_model_predict(nnrt_model *model,
                                const nnrt_tensor *const *inputs,
                                size_t num_inputs, nnrt_status *status);

/* The Keras-style summary table. */
void nnrt_model_print_summary(const nnrt_model *model, FILE *out);

/*--- The generated executable's command line --------------------------------*/

/* `summary`, `predict` and their --help; what the generated main() calls. */
int nnrt_cli_main(int argc, char **argv, const struct nnc_artifact *artifact);

#ifdef __cplusplus
}
#endif

#endif /* NNRT_H */
