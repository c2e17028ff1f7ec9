"""The portal's 行政处罚信息公示: the decisions published under Order 45, masked as stored at
publication; taken down ones are gone (404). No login."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.core.views import paginate, text_param
from regulus.enforcement import selectors

ERROR_MESSAGES = {404: "该行政处罚信息不存在或已停止公示", 403: "无权访问"}


def error_page(
    request: HttpRequest, status: int, title: str, exception: Exception | None
) -> HttpResponse:
    text = str(exception) if type(exception) in (Http404, PermissionDenied) else ""
    chinese = any("\u4e00" <= c <= "\u9fff" for c in text)
    message = text if chinese else ERROR_MESSAGES.get(status, "")
    return render(
        request,
        "portal/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def publication_list(request: HttpRequest) -> HttpResponse:
    q = text_param(request, "q", "查询内容", 50)
    context = {"q": q, **paginate(request, selectors.publications_public(q=q))}
    return render(request, "enforcement/public_list.html", context)


def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publication = selectors.publications_public().filter(pk=pk).first()
    if publication is None:
        raise Http404("该行政处罚信息不存在或已停止公示")
    return render(request, "enforcement/public_detail.html", {"p": publication})
