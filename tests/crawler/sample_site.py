"""A tiny site with one of each defect, to show the walk finds them (test_walker.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

PAGE = '<!DOCTYPE html><html lang="zh-hans"><head><title>样例</title></head><body>{}</body></html>'


def page(body: str):
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(PAGE.format(body))

    return view


def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    return HttpResponse(PAGE.format(f"<p>查询：{q}</p><a href='/deep/1/'>下一层</a>"))


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse(PAGE.format("<h1>页面不存在</h1>"), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE.format("<h1>服务器出错</h1>"), status=500)


handler404 = not_found
handler500 = server_error


urlpatterns = [
    path(
        "",
        page(
            "<h1>首页</h1>"
            "<a href='/ok/'>正常页面</a> <a href='/missing/'>失效链接</a>"
            "<a href='/codes/'>代码</a> <a href='/dates/'>日期</a> <a href='/broken/'>出错</a>"
            "<a href='https://example.com/'>外部网站</a> <a href='#top'>锚点</a>"
            "<form method='get' action='/search/'><input name='q' value='养老'>"
            "<select name='kind'><option value='a'>甲</option>"
            "<option value='b' selected>乙</option></select></form>"
            "<form method='post' action='/missing-post/'><button>提交</button></form>"
        ),
        name="home",
    ),
    path(
        "ok/", page("<p>一切正常，状态：已提交</p><span title='in_review'>审查中</span>"), name="ok"
    ),
    path("codes/", page("<p>办理记录：system：submit → in_review</p>"), name="codes"),
    path(
        "dates/",
        page(
            "<input type='date' name='on' value='2026/12/07'><input type='date' value='2026-12-07'>"
        ),
        name="dates",
    ),
    path("broken/", broken, name="broken"),
    path("search/", search, name="search"),
    path(
        "deep/<int:n>/", page("<a href='/deep/2/'>更深</a><a href='/deep/3/'>更深</a>"), name="deep"
    ),
]
