"""The agreements register: reciprocal agreements and next steps, their history, what is due.

``calendar`` (when meetings are and agreements fall due), ``register`` (the rules of a
change and the history) and ``agenda`` (what a meeting has on its table, per region): pure
functions over rows. Writes go through :mod:`opgave.service.agreements`.
"""
