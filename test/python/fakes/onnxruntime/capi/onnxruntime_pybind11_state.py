class InvalidArgument(Exception):
    pass


class Fail(Exception):
    pass
