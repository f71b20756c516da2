#ifndef FLOE_CCODECS_SHIM_H
#define FLOE_CCODECS_SHIM_H
#include <zstd.h>
#include <snappy-c.h>
#include <zlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <brotli/decode.h>
#include <brotli/encode.h>
#endif
