"""LAM009 leaves a function's logs where a template filter or query reads them (model/logs.default_group_readers)."""

from autofix.model.logs import default_group_readers
from autofix.view import TemplateView


def _view(reader_type: str, key: str, name) -> TemplateView:
    return TemplateView({"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "payments"}},
        "Reader": {"Type": reader_type, "Properties": {key: name}},
    }})


def test_filters_naming_the_default_group_read_it():
    for kind, key in (("AWS::Logs::MetricFilter", "LogGroupName"), ("AWS::Logs::SubscriptionFilter", "LogGroupName")):
        for name in ("/aws/lambda/payments", {"Fn::Sub": "/aws/lambda/${Fn}"},
                     {"Fn::Join": ["", ["/aws/lambda/", {"Ref": "Fn"}]]}):
            view = _view(kind, key, name)
            assert default_group_readers(view, "Fn", view.props(view.resources["Fn"])) == ["Reader"], (kind, name)


def test_a_query_reads_each_group_it_lists():
    view = _view("AWS::Logs::QueryDefinition", "LogGroupNames", ["/aws/lambda/other", "/aws/lambda/payments"])
    assert default_group_readers(view, "Fn", view.props(view.resources["Fn"])) == ["Reader"]


def test_filters_on_other_groups_do_not_hold_the_function_back():
    for name in ("/aws/lambda/payments-v2", "/aws/lambda/other", {"Fn::Sub": "/ecs/${Fn}"},
                 {"Fn::Join": ["", ["/aws/ecs/", {"Ref": "Other"}]]}):
        view = _view("AWS::Logs::MetricFilter", "LogGroupName", name)
        assert default_group_readers(view, "Fn", view.props(view.resources["Fn"])) == [], name
