"""Rules on projects and their milestones the schema cannot express: date order, 完成日期 and
进度 100 when done, spending over budget (a warning), milestones not in the future and not going
backwards, and photos that are real JPEG/PNG/WebP files of at most 2 MB inside content/."""
from __future__ import annotations

from gongkai.api import ENUMS, content_file, given, hookimpl, joined, warning

DONE = ENUMS["project_done_statuses"]  # 已完成, 已验收
MAX_PHOTO_BYTES = 2 * 1024 * 1024
EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WebP"}


@hookimpl
def register_checks(register):
    register(check_project_dates, reads=("projects",))
    register(check_done_projects, reads=("projects",))
    register(check_spending, reads=("projects",))
    register(check_milestone_dates, reads=("milestones",))
    register(check_milestone_progress, reads=("milestones",))
    register(check_photos)


def check_project_dates(records, context):
    for project in records.get("projects", []):
        if given(project, "start_date", "due_date") and project["due_date"] < project["start_date"]:
            yield context.error(
                "date-order",
                f"项目 {project.get('id')} 的“完成时限”{project['due_date'].isoformat()} 早于“开始日期”"
                f"{project['start_date'].isoformat()}。完成时限不能早于开始日期：请改正其中一个日期。",
                "projects", project, "due_date",
            )


def check_done_projects(records, context):
    """已完成/已验收 needs a 完成日期 and 进度 100."""
    for project in records.get("projects", []):
        if not given(project, "status") or project["status"] not in DONE:
            continue
        status = project["status"]
        if project.get("completed_on") is None and "completed_on" not in project.invalid:
            yield context.error(
                "completed-on-required",
                f"项目 {project.get('id')} 的状态是“{status}”，但“完成日期”为空。{joined(DONE)}的项目必须填写完成日期"
                f"（如 2025-06-30）；尚未完成时请改正状态。",
                "projects", project, "completed_on",
            )
        if given(project, "progress") and project["progress"] != 100:
            yield context.error(
                "progress-status",
                f"项目 {project.get('id')} 的状态是“{status}”，但“进度”是 {project['progress']}。{joined(DONE)}的项目"
                f"进度应为 100：请把进度改为 100，或把状态改为“实施中”。",
                "projects", project, "progress",
            )


def check_spending(records, context):
    for project in records.get("projects", []):
        if given(project, "budget_yuan", "spent_yuan") and project["spent_yuan"] > project["budget_yuan"]:
            yield warning(
                "spent-over-budget",
                f"项目 {project.get('id')} 的“已支出”{yuan(project['spent_yuan'])} 元超过“预算”{yuan(project['budget_yuan'])} 元。"
                f"如确有超支，请在“实施结果”中说明原因；如是填写错误，请改正金额。",
                **context.where("projects", project, "spent_yuan"),
            )


def yuan(value: float) -> str:
    """An amount as staff typed it: 652400 or 1280.5 (never 6.524e+05)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def check_milestone_dates(records, context):
    today = context.today
    for milestone in records.get("milestones", []):
        if given(milestone, "date") and milestone["date"] > today:
            yield context.error(
                "milestone-after-today",
                f"项目进展的日期 {milestone['date'].isoformat()} 晚于数据截至日期 {today.isoformat()}。"
                f"进展只公布已经发生的阶段：请改正日期，或等到该日期之后再添加这一行。",
                "milestones", milestone, "date",
            )


def check_milestone_progress(records, context):
    """A project's progress never goes down from one milestone to a later one."""
    by_project: dict[str, list] = {}
    for milestone in records.get("milestones", []):
        if given(milestone, "project_id", "date", "progress"):
            by_project.setdefault(milestone["project_id"].lower(), []).append(milestone)
    for milestones in by_project.values():
        highest = None
        for milestone in sorted(milestones, key=lambda m: (m["date"], m.line)):
            if highest is not None and milestone["progress"] < highest["progress"]:
                yield context.error(
                    "milestone-progress-decreasing",
                    f"项目 {milestone['project_id']} 在 {milestone['date'].isoformat()} 的进度是 {milestone['progress']}，"
                    f"低于更早的第 {highest.line} 行（{highest['date'].isoformat()}，进度 {highest['progress']}）。"
                    f"进度不能倒退：请改正这两行的进度或日期。",
                    "milestones", milestone, "progress",
                )
            elif highest is None or milestone["progress"] > highest["progress"]:
                highest = milestone


def photo_problem(docs_dir, text: str) -> str | None:
    """Why one photo path is refused, or None when it is a real photo inside content/."""
    path, problem = content_file(docs_dir, text)
    if problem:
        return problem
    formats = joined(ENUMS["photo_formats"])
    expected = EXTENSIONS.get(path.suffix.lower())
    if expected is None:
        return f"照片 {text} 的扩展名不是 .jpg、.jpeg、.png 或 .webp。照片只能是 {formats}：请转换格式后再填写。"
    with path.open("rb") as fh:
        head = fh.read(12)
    actual = sniff(head)
    if actual != expected:
        found = f"实际内容是 {actual}" if actual else f"文件内容不是 {formats} 图片"
        return f"照片 {text} 的扩展名表示 {expected}，但{found}。请用看图软件另存为 {expected} 格式，或改正扩展名。"
    size = path.stat().st_size
    if size > MAX_PHOTO_BYTES:
        return f"照片 {text} 有 {size / 1048576:.1f} MB，超过 2 MB 的上限。请压缩或缩小图片后再放入。"
    return None


def sniff(head: bytes) -> str | None:
    """The photo format the first bytes of a file show."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return None


def check_photos(records, context):
    for resource in ("projects", "milestones"):
        for record in records.get(resource, []):
            if not given(record, "photos"):
                continue
            for text in split_paths(record["photos"]):
                problem = photo_problem(context.docs_dir, text)
                if problem:
                    yield context.error("photos-missing", f"“照片”填写了 {record['photos']}：{problem}",
                                        resource, record, "photos")


def split_paths(value: str) -> list[str]:
    """The paths of a `;`-separated list (the full-width ； too), blanks dropped."""
    return [p.strip() for p in value.replace("；", ";").split(";") if p.strip()]
