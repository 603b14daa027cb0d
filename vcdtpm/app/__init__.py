"""Use cases: plans, operations, their executor and vTPM backups, over the ports only."""
