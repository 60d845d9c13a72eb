"""What Stripe accepts, read from stripe-python's typed parameter definitions (`stripe.params`).

stripe-python ships a TypedDict for the parameters of every API method, generated from Stripe's
OpenAPI description: names at every depth, `Literal[...]` enums (the 2-letter countries Checkout
ships to among them), integers, booleans, lists and maps. `check(params_class, params)` walks a
decoded form request against one of them and raises `ParamError` the way Stripe answers: the
message and the `param` in bracket notation (`line_items[0][price_data][unit_amount]`).

Stripe's server is the authority; these types are its published contract. A type that says
`Union[Literal[...], str]` (an enum left open for forward compatibility in the client) is checked
as the enum, as the API does today.
"""
import re
import sys
import typing
from functools import lru_cache

from stripe._request_options import RequestOptions
from typing_extensions import NotRequired, Required, is_typeddict

REQUEST_OPTIONS = frozenset(RequestOptions.__annotations__)
INTEGER = re.compile(r"-?\d{1,18}")
DECIMAL = re.compile(r"-?\d{1,18}(\.\d{1,12})?")


class ParamError(ValueError):
    """A request parameter Stripe would refuse; `param` names it in bracket notation."""

    def __init__(self, message, param, code="parameter_invalid"):
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


def _resolve(annotation, namespace):
    """Forward references (strings) evaluated in the module that defines the TypedDict."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        annotation = eval(annotation, namespace)  # noqa: S307 - stripe-python's own annotations
    return annotation


@lru_cache(maxsize=None)
def fields(params_class) -> dict:
    """{name: (type, required)} of a TypedDict, request options left out."""
    namespace = vars(sys.modules[params_class.__module__])
    found = {}
    for name, annotation in params_class.__annotations__.items():
        if name in REQUEST_OPTIONS and params_class is not RequestOptions:
            continue
        annotation = _resolve(annotation, namespace)
        required = True
        origin = typing.get_origin(annotation)
        if origin is NotRequired or origin is Required:
            required = origin is Required
            annotation = _resolve(typing.get_args(annotation)[0], namespace)
        found[name] = (annotation, required, namespace)
    return found


def literal_values(annotation) -> tuple:
    """The values of a Literal, or of the Literal in `Union[Literal[...], str]` (an enum stripe-python
    leaves open); () otherwise (`Union[Literal[""], Dict[…]]` is an emptiable object, not an enum)."""
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Union:
        args = typing.get_args(annotation)
        literals = [arg for arg in args if typing.get_origin(arg) is typing.Literal]
        if len(literals) == 1 and all(arg is str for arg in args if arg is not literals[0]):
            return typing.get_args(literals[0])
    return ()


def check(params_class, params, prefix=""):
    """Refuse `params` (nested dicts, lists and strings, as decoded from the form) unless they fit."""
    if not isinstance(params, dict):
        raise ParamError(f"Invalid object: {prefix or 'params'}", prefix or "params")
    known = fields(params_class)
    for name in params:
        if name not in known:
            param = f"{prefix}[{name}]" if prefix else name
            raise ParamError(f"Received unknown parameter: {param}", param, "parameter_unknown")
    for name, (annotation, required, namespace) in known.items():
        param = f"{prefix}[{name}]" if prefix else name
        if name not in params:
            if required:
                raise ParamError(f"Missing required param: {param}.", param, "parameter_missing")
            continue
        _check_value(annotation, params[name], param, namespace)


def _check_value(annotation, value, param, namespace):
    annotation = _resolve(annotation, namespace)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if is_typeddict(annotation):
        if value == "":           # an emptiable object: "" unsets it
            return
        return check(annotation, value, param)
    enum = literal_values(annotation)
    if enum:
        if value not in enum:
            shown = ", ".join(str(v) for v in enum if v != "")
            raise ParamError(f"Invalid {param}: must be one of {shown}", param, "parameter_invalid_string")
        return
    if origin is typing.Union:
        errors = []
        for option in args:
            try:
                return _check_value(option, value, param, namespace)
            except ParamError as error:
                errors.append(error)
        raise errors[-1]
    if origin in (list, typing.List):
        if not isinstance(value, list):
            if value == "":
                return
            raise ParamError(f"Invalid array: {param}", param, "parameter_invalid_array")
        for index, item in enumerate(value):
            _check_value(args[0], item, f"{param}[{index}]", namespace)
        return
    if origin in (dict, typing.Dict) or getattr(origin, "__name__", "") == "UntypedStripeObject":
        args = (str, args[-1]) if args else (str, typing.Any)
        if value == "":
            return
        if not isinstance(value, dict):
            raise ParamError(f"Invalid object: {param}", param, "parameter_invalid_object")
        for key, item in value.items():
            _check_value(args[1], item, f"{param}[{key}]", namespace)
        return
    if annotation is int:
        if not (isinstance(value, str) and INTEGER.fullmatch(value)):
            raise ParamError(f"Invalid integer: {_shown(value)}", param, "parameter_invalid_integer")
        return
    if annotation is bool:
        if value not in ("true", "false"):
            raise ParamError(f"Invalid boolean: {_shown(value)}", param, "parameter_invalid_boolean")
        return
    if annotation is float or getattr(annotation, "__name__", "") == "Decimal":
        if not (isinstance(value, str) and DECIMAL.fullmatch(value)):
            raise ParamError(f"Invalid decimal: {_shown(value)}", param, "parameter_invalid_decimal")
        return
    if annotation is str:
        if not isinstance(value, str):
            raise ParamError(f"Invalid string: {param}", param, "parameter_invalid_string")
        return
    # Anything else (Any): free-form, as Stripe takes it.


def _shown(value):
    return value if isinstance(value, str) else "{...}" if isinstance(value, dict) else "[...]"


def checkout_countries() -> tuple:
    """The two-letter codes Checkout accepts in shipping_address_collection[allowed_countries]."""
    from stripe.params.checkout import SessionCreateParams
    collection = fields(SessionCreateParams)["shipping_address_collection"]
    inner = fields(collection[0])["allowed_countries"]
    return literal_values(typing.get_args(inner[0])[0])
