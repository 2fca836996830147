"""Constants shared by the model and the generator, kept apart so the generator's hot
path and the CLI's start-up do not import pydantic."""

from typing import Final

SCHEMA_VERSION: Final = 1
SCHEMA_ID: Final = "urn:alphanode-synth:schema:post:v1"
ZERO_HASH: Final = "0" * 24
