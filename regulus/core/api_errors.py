"""How the API reads a body and words a refusal: every word an API client can see is Chinese.

- `TYPE_MESSAGES`: a Chinese message for every error type pydantic can report (the test
  walks pydantic_core's list, so a new pydantic cannot add an English one unseen);
  `validation_message` words one error, with its limits ("至少2个字符").
- `http_error_message`: django-ninja raises a few errors of its own in English ("Cannot parse
  request body", "CSRF check Failed"); they are answered in Chinese.
- `StrictJSONParser`: a body is JSON as RFC 8259 and UTF-8 can hold it: no lone surrogate
  ("\\ud800", which no database can store), no NaN or Infinity.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

# pydantic_core.core_schema.ErrorType, each in Chinese; {name} is filled from the error's ctx.
TYPE_MESSAGES: dict[str, str] = {
    "no_such_attribute": "不允许的字段",
    "json_invalid": "不是合法的JSON",
    "json_type": "应为JSON字符串",
    "needs_python_object": "取值类型不正确",
    "recursion_loop": "数据嵌套循环",
    "recursion_depth_exceeded": "数据嵌套层次过深",
    "missing": "必填项缺失",
    "frozen_field": "该字段不可修改",
    "frozen_instance": "该对象不可修改",
    "extra_forbidden": "不允许的字段",
    "invalid_key": "键应为字符串",
    "get_attribute_error": "取值无效",
    "model_type": "应为JSON对象",
    "model_attributes_type": "应为JSON对象",
    "dataclass_type": "应为JSON对象",
    "dataclass_exact_type": "应为JSON对象",
    "named_tuple_type": "应为数组",
    "default_factory_not_called": "取值无效",
    "none_required": "应为空值（null）",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "应不小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "应不大于{le}",
    "multiple_of": "应为{multiple_of}的倍数",
    "finite_number": "应为有限的数字",
    "too_short": "至少应有{min_length}项",
    "too_long": "最多{max_length}项",
    "iterable_type": "应为数组",
    "iteration_error": "数组无法读取",
    "string_type": "应为字符串",
    "string_unicode": "应为有效的Unicode字符串",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "不能超过{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_not_ascii": "只能包含ASCII字符",
    "enum": "不是允许的取值（应为{expected}）",
    "dict_type": "应为JSON对象",
    "frozen_dict_type": "应为JSON对象",
    "ordered_dict_type": "应为JSON对象",
    "counter_type": "应为JSON对象",
    "mapping_type": "应为JSON对象",
    "list_type": "应为数组",
    "deque_type": "应为数组",
    "tuple_type": "应为数组",
    "set_type": "应为数组",
    "set_item_not_hashable": "数组中的元素类型不正确",
    "bool_type": "应为布尔值（true或false）",
    "bool_parsing": "应为布尔值（true或false）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数超出范围",
    "int_from_float": "应为整数，不能有小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bytes_type": "应为字符串",
    "bytes_too_short": "至少{min_length}个字节",
    "bytes_too_long": "不能超过{max_length}个字节",
    "bytes_invalid_encoding": "编码不正确",
    "value_error": "取值无效",
    "assertion_error": "取值无效",
    "literal_error": "不是允许的取值（应为{expected}）",
    "missing_sentinel_error": "取值无效",
    "ellipsis_error": "取值无效",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "date_past": "应为今天以前的日期",
    "date_future": "应为今天以后的日期",
    "time_type": "应为时间（HH:MM:SS）",
    "time_parsing": "应为时间（HH:MM:SS）",
    "datetime_type": "应为日期时间（ISO 8601）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_object_invalid": "日期时间无效",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "datetime_past": "应为过去的时间",
    "datetime_future": "应为将来的时间",
    "timezone_naive": "不能带时区",
    "timezone_aware": "应带时区",
    "timezone_offset": "时区不正确",
    "time_delta_type": "应为时长",
    "time_delta_parsing": "应为时长（ISO 8601）",
    "frozen_set_type": "应为数组",
    "is_instance_of": "取值类型不正确",
    "is_subclass_of": "取值类型不正确",
    "callable_type": "取值类型不正确",
    "union_tag_invalid": "类型标记不是允许的取值",
    "union_tag_not_found": "缺少类型标记",
    "arguments_type": "参数应为数组或对象",
    "missing_argument": "必填项缺失",
    "unexpected_keyword_argument": "不允许的字段",
    "missing_keyword_only_argument": "必填项缺失",
    "unexpected_positional_argument": "不允许的参数",
    "missing_positional_only_argument": "必填项缺失",
    "multiple_argument_values": "参数重复",
    "url_type": "应为网址",
    "url_parsing": "不是有效的网址",
    "url_syntax_violation": "不是有效的网址",
    "url_too_long": "网址不能超过{max_length}个字符",
    "url_scheme": "网址协议应为{expected_schemes}",
    "uuid_type": "应为UUID",
    "uuid_parsing": "不是有效的UUID",
    "uuid_version": "UUID版本应为{expected_version}",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数字不能超过{max_digits}位",
    "decimal_max_places": "小数不能超过{decimal_places}位",
    "decimal_whole_digits": "整数部分不能超过{whole_digits}位",
    "fraction_type": "应为分数",
    "fraction_parsing": "不是有效的分数",
    "complex_type": "应为复数",
    "complex_str_parsing": "不是有效的复数",
}
_CJK = re.compile("[\u4e00-\u9fff]")
# A refusal's ctx lists choices the English way ("'a', 'b' or 'c'").
_OR = re.compile(r",? or ")


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "…"


def is_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error in Chinese. Our own validators (core.text, the schemas' checks)
    already speak Chinese and keep their words."""
    kind = str(error.get("type", ""))
    own = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind not in TYPE_MESSAGES or (kind == "value_error" and is_chinese(own)):
        return own if is_chinese(own) else "取值无效"
    ctx = {key: _OR.sub("、", str(value)) for key, value in (error.get("ctx") or {}).items()}
    return TYPE_MESSAGES[kind].format_map(_Blank(ctx))


# django-ninja's own English refusals, by their text.
HTTP_ERROR_MESSAGES = {
    "Cannot parse request body": "请求体不是合法的JSON（UTF-8编码）",
    "CSRF check Failed": (
        "CSRF校验未通过：以登录会话调用写操作须带页面的CSRF令牌（请求头X-CSRFToken），"
        "或改用接口令牌（Authorization: Bearer）"
    ),
}
STATUS_MESSAGES = {
    400: "请求无法处理",
    401: "未登录、登录已过期，或令牌无效、已吊销",
    403: "无权执行此操作",
    404: "不存在或无权查看",
    405: "该接口不支持此请求方法",
    409: "与现有数据冲突",
    413: "请求体过大",
    422: "请求数据有误",
    429: "请求过于频繁，请稍后再试",
}


def http_error_message(status: int, message: str, cause: BaseException | None = None) -> str:
    """An HttpError's message in Chinese: ours as it is, ninja's translated; a body refused
    by StrictJSONParser says why."""
    if isinstance(cause, BodyRefused):
        return str(cause)
    if is_chinese(message):
        return message
    return HTTP_ERROR_MESSAGES.get(message) or STATUS_MESSAGES.get(status, "请求无法处理")


class BodyRefused(ValueError):
    """A JSON body that is valid JSON text but no data this API takes (its message is
    Chinese)."""


def _refuse_constant(name: str) -> Any:
    raise BodyRefused(f"请求体含有JSON不允许的数值 {name}")


class StrictJSONParser(Parser):
    """JSON bodies as RFC 8259 allows them and UTF-8 can hold them."""

    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        data = json.loads(body, parse_constant=_refuse_constant)
        if b"\\u" not in body:
            return data  # a lone surrogate can only come from an escape
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BodyRefused(
                "请求体含有孤立的代理码位（如\\ud800），不是有效的Unicode文本"
            ) from None
        return data
