"""Data keys for personal data at rest: SM4 keys wrapped by a master key kept outside the database.

Each purpose (``pii`` for the sealed values, ``blind-index`` for the keyed search index) has
numbered versions; the newest one encrypts, every stored one still decrypts. A key is stored
only wrapped (SM4-GCM under the master key, or by a KMS through ``DATA_KEY_PROVIDER``), so a
copy of the database alone reveals nothing. See ``keys.py`` for where the master key comes from.
"""
