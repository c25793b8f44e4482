/* The firmware, kernel, initrd and default config built into the capsule binary (blobs.S). */
#ifndef CAPSULE_BLOBS_H
#define CAPSULE_BLOBS_H

#include <stddef.h>
#include <stdint.h>

extern const uint8_t blob_firmware_start[], blob_firmware_end[];
extern const uint8_t blob_kernel_start[], blob_kernel_end[];
extern const uint8_t blob_initrd_start[], blob_initrd_end[];
extern const char blob_default_conf_start[]; /* NUL-terminated */

#define BLOB_SIZE(name) ((size_t)(blob_##name##_end - blob_##name##_start))

#endif
