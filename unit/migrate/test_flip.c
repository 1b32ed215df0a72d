/* Every single-bit flip of one record of each type (a minute or more: label long). */
#define MIG_FLIP_ONLY
#include "test_tamper.c"
