"""Matching volunteers to needs: one score, sparse candidates, an exact batch solver (docs/matching.md).

`score`, `candidates`, `solve` and `data` are plain Python + NumPy/SciPy/OR-Tools and never touch the
database; `ranking` is the one module that reads models (the single-need ranking and a campaign's batch).
"""
