"""Many jobs from one file: reading it, running the jobs, polling, the manifest."""
