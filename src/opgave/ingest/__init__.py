"""Ingest of external sources (CBS, BAG, plan lists) into plain tables the store can write."""
