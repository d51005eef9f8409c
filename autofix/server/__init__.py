"""`cfn-fix server`: a Language Server Protocol server that shows and applies cfn-fix's repairs.

Optional: it needs pygls and lsprotocol (`pip install 'cfn-fix[server]'`). The engine runs in
memory on the editor's buffer, saved or not; the server never writes a file itself.
"""
