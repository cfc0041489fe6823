"""The runtimes that run the declared pipeline (services/flow.py): in process, and over Kafka."""
