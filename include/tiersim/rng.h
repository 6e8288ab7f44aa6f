/* rng.h — random number streams: one GSL generator per (component, purpose).
 *
 * A stream's seed is a hash of the scenario seed, the component's name and the purpose
 * ("arrivals", "service", "route", ...), so adding, removing or changing one component
 * leaves every other component's draws unchanged: two variants of a scenario see the same
 * traffic (common random numbers). The generator is GSL's MT19937, whose seeding takes 32
 * bits; the 64-bit hash is folded to 32 bits, which keeps streams distinct with
 * overwhelming probability for the few hundred streams of a run.
 */
#ifndef TIERSIM_RNG_H
#define TIERSIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* The 64-bit seed of stream (component, purpose) under scenario seed `seed`. Pure. */
uint64_t rng_stream_seed(uint64_t seed, const char *component, const char *purpose);

/* A new generator seeded for (seed, component, purpose); free with gsl_rng_free. */
gsl_rng *rng_stream_new(uint64_t seed, const char *component, const char *purpose);

/* A uniform draw in (0, 1): never 0, never 1 (safe for log()). */
static inline double rng_open01(const gsl_rng *r)
{
    return gsl_rng_uniform_pos(r);
}

#endif
