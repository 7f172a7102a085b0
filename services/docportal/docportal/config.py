from dataclasses import dataclass

from servicekit.config import ServiceConfig


@dataclass(frozen=True)
class DocportalConfig(ServiceConfig):
    pass
