"""The nine resources of the gongkai data standard."""
from gongkai.api import hookimpl, standard_resources


@hookimpl
def register_resources(register):
    for resource in standard_resources():
        register(resource)
