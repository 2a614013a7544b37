"""Securing mechanisms: Data Integrity cryptosuites and VC-JOSE (JWT)."""
