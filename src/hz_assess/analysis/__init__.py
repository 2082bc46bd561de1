"""Decision support (SPEC §8), on the numeric core of `scoring`.

`need`: what a unit needs to reach a grade or a rank — each indicator alone, by the exact
inverse of its rule (`inverse`), and the fewest indicators brought to target — every figure
confirmed by re-scoring. `robustness`: how much the ranking depends on the method's
choices, by re-scoring a seeded sample of methods.
"""
