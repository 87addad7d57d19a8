"""The values passed between the pipeline's stages, at the bottom of the layers.

Plan ─► RunResult (+ per-window samples) ─► SLOEvaluation[] / CriterionResult[] ─► Verdict ─► ResultDoc

Each stage's output, as the run records it: stage_outputs.py (LoadOutcome, Measurements, Judgement).

Every module here imports nothing from harness/ but other modules of this package, so every
stage can depend on them and they depend on no stage (tests/unit/test_layers.py keeps it so).
All frozen: a stage returns new values, it does not change the ones it was given.
"""
