"""The wire contract between handheld clients (执法终端) and the API.

Everything a handheld sends or receives is a msgspec Struct declared here, so
the contract is one place to read and the source of the OpenAPI document.
Bump ``CONTRACT_VERSION`` on any change a deployed client would notice; the
API sends it in the ``X-Contract-Version`` header of every response.
"""

CONTRACT_VERSION = "1.0.0"
