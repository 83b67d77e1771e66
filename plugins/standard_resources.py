"""The nine resources of the gongkai data standard."""
from gongkai import hookimpl
from gongkai.data.resources import standard_resources


@hookimpl
def register_resources(register):
    for resource in standard_resources():
        register(resource)
