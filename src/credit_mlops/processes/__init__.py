"""Process plumbing, in one place: which processes exist (`identity`), Ctrl-C and SIGINT
around work that must not be torn (`signals`, `interrupts`), joblib's worker pool and the
one worker started early (`pools`), and work on a background thread (`jobs`).
docs/processes.md says how they fit together. Standard library only at import.
"""
