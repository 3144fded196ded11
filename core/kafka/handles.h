#pragma once

#include <librdkafka/rdkafka.h>
#include <memory>

namespace loadlevel::kafka {

// Every librdkafka handle lives in a unique_ptr with a deleter, so no path leaks one.
struct KafkaDeleter {
    void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
};
struct ConfDeleter {
    void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
};
struct TopicDeleter {
    void operator()(rd_kafka_topic_t* p) const { rd_kafka_topic_destroy(p); }
};
struct PartitionListDeleter {
    void operator()(rd_kafka_topic_partition_list_t* p) const { rd_kafka_topic_partition_list_destroy(p); }
};
struct QueueDeleter {
    void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
};
struct EventDeleter {
    void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
};
struct MessageDeleter {
    void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
};
struct HeadersDeleter {
    void operator()(rd_kafka_headers_t* p) const { rd_kafka_headers_destroy(p); }
};
struct MetadataDeleter {
    void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
};

using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using ConfHandle = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using QueueHandle = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using EventHandle = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using MessageHandle = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using HeadersHandle = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;
using MetadataHandle = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

} // namespace loadlevel::kafka
