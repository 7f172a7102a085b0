from docportal.spec import SPEC
from servicekit.cli import service_cli

main = service_cli(SPEC)
