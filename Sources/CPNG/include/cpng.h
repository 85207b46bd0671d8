#ifndef CPNG_H
#define CPNG_H
#include <stddef.h>
#include <stdint.h>

/// A decoded PNG: 8-bit RGBA pixels, row-major, plus its tEXt/zTXt/iTXt chunks as
/// "key\0value\0key\0value\0..." (text_count pairs). Free with cpng_free.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint8_t *pixels;
    char *texts;
    size_t texts_length;
    int text_count;
} cpng_image;

/// Writes 8-bit straight-alpha RGBA pixels to `path` with tEXt chunks. libpng reports errors by
/// longjmp; this helper owns the setjmp, so an error becomes a return value of -1 with the library's
/// message in `err` instead of aborting the process. Returns 0 on success.
int cpng_write_rgba(const char *path, uint32_t width, uint32_t height,
                    const uint8_t *rgba, size_t stride,
                    const char *const *keys, const char *const *values, int text_count,
                    char *err, size_t err_length);

/// Decodes a PNG file to RGBA8. Returns 0 on success, -1 with a message in `err`.
int cpng_read_file(const char *path, cpng_image *out, char *err, size_t err_length);

/// Decodes PNG bytes in memory to RGBA8. Returns 0 on success, -1 with a message in `err`.
int cpng_read_memory(const uint8_t *data, size_t length, cpng_image *out, char *err, size_t err_length);

void cpng_free(cpng_image *image);

#endif
