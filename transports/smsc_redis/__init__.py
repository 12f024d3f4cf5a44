"""Limits of a login shared by every process through Redis (extra ``redis``)."""
