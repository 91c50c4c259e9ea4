"""The reliability suite: tests that try to lose data (issue 6). Where each part lives:

- concurrent writers and identical followers: ``test_file_store_reliability`` (8 processes x 250
  on one file) and ``test_server_reliability`` (8 clients x 250 on one server);
- crashing a writer with kill -9 at random moments: ``test_file_store_reliability``;
- crashing the server under load, checked for lost writes, unobserved writes, non-monotonic
  reads and skipped seqs: ``test_server_reliability`` (and ``tests/server/test_crash.py``);
- hostile input: generated logs through the fold (``tests/incident/test_fold_properties.py``),
  junk, torn and 10 MB lines in a store file (here and ``tests/store/test_file_store.py``),
  malformed and oversized requests and schemathesis over ``/openapi.json``
  (``tests/server/test_bad_input.py``, ``tests/server/test_schemathesis.py``);
- access: the endpoint x {no token, unknown, revoked, member, commander} matrix
  (``tests/server/test_auth.py``);
- the network going away under a live board: ``test_board_offline``.

``WARROOM_LONG_TESTS=1`` runs the long versions.
"""
