"""Persistence: PostgreSQL through asyncpg, evidence objects in S3.

Query functions are keyword-only, take a connection and never commit: the
caller (one transaction per request) decides. asyncpg and S3 exceptions are
translated here into ``mobile_contract.problems`` upstream errors.
"""
