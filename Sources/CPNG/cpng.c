#include "cpng.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

typedef struct {
    jmp_buf jump;
    char *err;
    size_t err_length;
} guard;

static void on_error(png_structp png, png_const_charp message) {
    guard *g = (guard *)png_get_error_ptr(png);
    snprintf(g->err, g->err_length, "libpng: %s", message);
    longjmp(g->jump, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png; (void)message; /* warnings are not failures */
}

int cpng_write_rgba(const char *path, uint32_t width, uint32_t height,
                    const uint8_t *rgba, size_t stride,
                    const char *const *keys, const char *const *values, int text_count,
                    char *err, size_t err_length) {
    FILE *volatile file = fopen(path, "wb");
    if (!file) {
        snprintf(err, err_length, "cannot open %s for writing: %s", path, strerror(errno));
        return -1;
    }
    guard g = { .err = err, .err_length = err_length };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &g, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_textp volatile texts = NULL;
    if (!png || !info) {
        snprintf(err, err_length, "libpng: out of memory");
        if (png) png_destroy_write_struct(&png, NULL);
        fclose(file);
        return -1;
    }
    if (setjmp(g.jump)) {
        /* libpng's message ("Write Error") names neither the file nor the cause: add both. */
        int cause = ferror(file) ? errno : 0;
        char detail[256];
        snprintf(detail, sizeof detail, "%s", err);
        if (cause) snprintf(err, err_length, "cannot write %s: %s (%s)", path, strerror(cause), detail);
        else snprintf(err, err_length, "cannot write %s: %s", path, detail);
        png_destroy_write_struct(&png, &info);
        free(texts);
        fclose(file);
        remove(path);
        return -1;
    }
    png_init_io(png, file);
    /* Charts are mostly flat colour: the SUB filter and a middle zlib level compress them about as
     * well as the defaults (all filters, level 6) at a fraction of the time. */
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_compression_level(png, 5);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (text_count > 0) {
        texts = calloc((size_t)text_count, sizeof(png_text));
        for (int i = 0; i < text_count; i++) {
            texts[i].compression = PNG_TEXT_COMPRESSION_NONE;
            texts[i].key = (png_charp)keys[i];
            texts[i].text = (png_charp)values[i];
            texts[i].text_length = strlen(values[i]);
        }
        png_set_text(png, info, texts, text_count);
    }
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(rgba + (size_t)y * stride));
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(texts);
    if (fclose(file) != 0) {
        snprintf(err, err_length, "cannot finish writing %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

typedef struct {
    const uint8_t *data;
    size_t length;
    size_t offset;
} memory_source;

static void read_memory(png_structp png, png_bytep out, png_size_t count) {
    memory_source *source = (memory_source *)png_get_io_ptr(png);
    if (source->length - source->offset < count) {
        png_error(png, "unexpected end of PNG data");
    }
    memcpy(out, source->data + source->offset, count);
    source->offset += count;
}

static int decode(FILE *file, memory_source *source, cpng_image *out, char *err, size_t err_length) {
    memset(out, 0, sizeof(*out));
    guard g = { .err = err, .err_length = err_length };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &g, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *volatile rows = NULL;
    if (!png || !info) {
        snprintf(err, err_length, "libpng: out of memory");
        if (png) png_destroy_read_struct(&png, NULL, NULL);
        return -1;
    }
    if (setjmp(g.jump)) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(out->pixels);
        free(out->texts);
        memset(out, 0, sizeof(*out));
        return -1;
    }
    if (file) png_init_io(png, file); else png_set_read_fn(png, source, read_memory);
    png_read_info(png, info);
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    uint32_t width = png_get_image_width(png, info);
    uint32_t height = png_get_image_height(png, info);
    if (png_get_rowbytes(png, info) != (size_t)width * 4) {
        png_error(png, "unsupported pixel layout");
    }
    out->width = width;
    out->height = height;
    out->pixels = malloc((size_t)width * height * 4);
    rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!out->pixels || !rows) png_error(png, "out of memory");
    for (uint32_t y = 0; y < height; y++) rows[y] = out->pixels + (size_t)y * width * 4;
    png_read_image(png, rows);
    png_read_end(png, info);
    png_textp texts = NULL;
    int count = 0;
    png_get_text(png, info, &texts, &count);
    size_t total = 0;
    for (int i = 0; i < count; i++) total += strlen(texts[i].key) + 1 + texts[i].text_length + 1;
    out->texts = malloc(total ? total : 1);
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        size_t k = strlen(texts[i].key) + 1;
        memcpy(out->texts + at, texts[i].key, k); at += k;
        memcpy(out->texts + at, texts[i].text, texts[i].text_length); at += texts[i].text_length;
        out->texts[at++] = 0;
    }
    out->texts_length = at;
    out->text_count = count;
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    return 0;
}

int cpng_read_file(const char *path, cpng_image *out, char *err, size_t err_length) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        memset(out, 0, sizeof(*out));
        snprintf(err, err_length, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char signature[8];
    if (fread(signature, 1, 8, file) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
        memset(out, 0, sizeof(*out));
        snprintf(err, err_length, "%s is not a PNG file", path);
        fclose(file);
        return -1;
    }
    rewind(file);
    int status = decode(file, NULL, out, err, err_length);
    fclose(file);
    return status;
}

int cpng_read_memory(const uint8_t *data, size_t length, cpng_image *out, char *err, size_t err_length) {
    if (length < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        memset(out, 0, sizeof(*out));
        snprintf(err, err_length, "data is not a PNG image");
        return -1;
    }
    memory_source source = { data, length, 0 };
    return decode(NULL, &source, out, err, err_length);
}

void cpng_free(cpng_image *image) {
    free(image->pixels);
    free(image->texts);
    memset(image, 0, sizeof(*image));
}
