"""The security and robustness suite (issue 13): one regression test per break the
adversarial review found, and the table-driven test of who may write what."""
