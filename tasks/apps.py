from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Action items"

    def ready(self) -> None:
        from coordination import pages
        from members.events import person_left

        from . import choices, notices, services, stored_text
        from . import pages as meeting_pages

        notices.register()
        choices.register()
        stored_text.register_sources()
        person_left.connect(services.hand_on_items, dispatch_uid="tasks_hand_on_items")
        pages.add_context_provider("meeting_detail", meeting_pages.meeting_detail)
        pages.add_context_provider("minutes_form", meeting_pages.minutes_form)
        pages.add_context_provider("agenda", meeting_pages.agenda)
