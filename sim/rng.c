/* rng.c — stream seeds from (scenario seed, component, purpose): FNV-1a over the names,
 * mixed with the seed through SplitMix64's finaliser. */
#include "tiersim/rng.h"

#include "tiersim/err.h"

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    /* a separator, so ("ab","c") and ("a","bc") differ */
    h ^= 0xffu;
    h *= UINT64_C(0x100000001b3);
    return h;
}

static uint64_t splitmix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t rng_stream_seed(uint64_t seed, const char *component, const char *purpose)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    h = fnv1a(h, component);
    h = fnv1a(h, purpose);
    return splitmix64(h ^ splitmix64(seed));
}

gsl_rng *rng_stream_new(uint64_t seed, const char *component, const char *purpose)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) /* GSL's only failure here is memory: same policy as ts_malloc */
        ts_out_of_memory();
    uint64_t s = rng_stream_seed(seed, component, purpose);
    unsigned long s32 = (unsigned long)((s ^ (s >> 32)) & 0xffffffffu);
    gsl_rng_set(r, s32 ? s32 : 1u);
    return r;
}
